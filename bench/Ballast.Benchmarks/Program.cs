using BenchmarkDotNet.Running;

namespace Ballast.Benchmarks;

public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // End-to-end timings that do not fit BenchmarkDotNet's model run as console modes (see each class).
        if (args is ["operator-delivery", ..]) return await Operator.SnapshotDeliveryBenchmark.RunAsync(args);
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
