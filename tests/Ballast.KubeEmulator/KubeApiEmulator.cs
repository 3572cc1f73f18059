namespace Ballast.KubeEmulator;

/// <summary>Placeholder type so the project builds; the emulator is built by the operator work.</summary>
internal static class KubeApiEmulatorProject;
