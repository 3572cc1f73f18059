namespace Ballast.Acme;

/// <summary>Placeholder so the project builds; the ACME client is built by the TLS work.</summary>
internal static class AcmeProject;
