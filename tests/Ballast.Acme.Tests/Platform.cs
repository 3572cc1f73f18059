// The suite runs on Linux (Pebble, file modes); say so once instead of guarding every call.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
