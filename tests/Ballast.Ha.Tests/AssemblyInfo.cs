// Network namespaces, keepalived and setns(2): these tests are Linux-only by nature.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
