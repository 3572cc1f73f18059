using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Inputs;

/// <summary>What a front-end translates from: its own objects (in resource order, each with its report) and the native pools.</summary>
internal sealed class FrontEndContext(CompilerInput input, IReadOnlyList<(Resource Resource, ResourceReport Report)> objects,
    IReadOnlyList<BackendPool> nativePools, IReadOnlyDictionary<string, PoolSnapshot?> nativePoolSnapshots,
    IReadOnlyList<TrafficAttachment>? traffic = null)
{
    public CompilerInput Input { get; } = input;

    /// <summary>This front-end's objects that passed the common checks (name present, no null holes, not defined twice).</summary>
    public IReadOnlyList<(Resource Resource, ResourceReport Report)> Objects { get; } = objects;

    /// <summary>The valid native BackendPools, e.g. for policy attachment (<c>targetRefs</c>).</summary>
    public IReadOnlyList<BackendPool> NativePools { get; } = nativePools;

    /// <summary>Native pool id (<c>ns/name</c>) → its snapshot; null for a pool that is invalid.</summary>
    public IReadOnlyDictionary<string, PoolSnapshot?> NativePoolSnapshots { get; } = nativePoolSnapshots;

    /// <summary>The valid LoadBalancerPolicies' traffic policies for Gateway API objects (<c>targetRefs</c>), in resource order.</summary>
    public IReadOnlyList<TrafficAttachment> Traffic { get; } = traffic ?? [];

    public IEnumerable<(T Resource, ResourceReport Report)> OfType<T>() where T : Resource =>
        Objects.Where(o => o.Resource is T).Select(o => ((T)o.Resource, o.Report));

    /// <summary>
    /// Compiles a pool the front-end made up (a Service as a backend, maybe with a native BackendPool's settings)
    /// with the native pool rules; the problems land in <paramref name="report"/>.
    /// </summary>
    public PoolSnapshot CompilePool(BackendPool pool, ResourceReport report) => PoolCompiler.Compile(pool, Input, report).Snapshot;
}
