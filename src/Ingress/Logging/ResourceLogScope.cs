using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Logging;

/// <summary>
/// A log scope naming the resource a message is about (<see cref="ResourceLogFields"/>: <c>kind</c>,
/// <c>namespace</c>, <c>name</c>, and for a diagnostic its <c>field</c>, <c>file</c> and <c>line</c>), so JSON logs
/// carry them as fields to filter on.
/// </summary>
public static class ResourceLogScope
{
    /// <summary>The scope of a diagnostic: its resource, field and place in the file (null when it names none).</summary>
    public static IDisposable? Begin(ILogger logger, Diagnostic diagnostic)
    {
        var fields = ResourceLogFields.Of(diagnostic);
        return fields.Count == 0 ? null : logger.BeginScope(fields);
    }

    public static IDisposable? Begin(ILogger logger, ResourceKey key) => logger.BeginScope(new ResourceLogFields(key));
}
