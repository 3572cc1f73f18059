using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Access logs on listeners and routes: a format that can run, a destination, a sampling that makes sense.</summary>
internal static class AccessLogRules
{
    public const int DefaultKeepFiles = 5;

    /// <summary>The snapshot of an access log that is on; null when it is absent, off or wrong (then with errors).</summary>
    public static AccessLogSnapshot? Compile(ResourceReport r, FieldPath field, AccessLogSpec? spec)
    {
        if (spec is null) return null;
        var before = r.Count;
        if (spec.Format == AccessLogFormat.Template)
        {
            if (string.IsNullOrEmpty(spec.Template)) r.Error(field.Field("template"), "required with format: Template");
            else if (AccessLogTemplate.Parse(spec.Template, out var error) is null) r.Error(field.Field("template"), error);
        }
        else if (spec.Template is not null)
            r.Error(field.Field("template"), $"goes with format: Template (this one is {spec.Format})");

        if (spec.File is { } file && (!file.StartsWith('/') || file.EndsWith('/') || file.Contains('\0')))
            r.Error(field.Field("file"), $"expected an absolute file path such as /var/log/ballast/access.log, got \"{file}\"");
        if (spec.File is null && spec.MaxFileBytes is not null) r.Error(field.Field("maxFileBytes"), "goes with file (standard output is not rotated)");
        if (spec.File is null && spec.KeepFiles is not null) r.Error(field.Field("keepFiles"), "goes with file (standard output is not rotated)");
        Ranges.Check(r, field.Field("maxFileBytes"), spec.MaxFileBytes, 4096, long.MaxValue);
        Ranges.Check(r, field.Field("keepFiles"), spec.KeepFiles, 1, 100);

        if (spec.Sampling == AccessLogSampling.Ratio)
        {
            if (spec.Ratio is not { } ratio) r.Error(field.Field("ratio"), "required with sampling: Ratio");
            else if (!(ratio > 0 && ratio <= 1)) r.Error(field.Field("ratio"), $"must be above 0 and at most 1, got {ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        else if (spec.Ratio is not null)
            r.Error(field.Field("ratio"), $"goes with sampling: Ratio (this one is {spec.Sampling})");

        if (r.Count != before || spec.Format == AccessLogFormat.Off) return null;
        return new AccessLogSnapshot
        {
            Format = spec.Format,
            Template = spec.Template ?? "",
            File = spec.File,
            MaxFileBytes = spec.MaxFileBytes,
            KeepFiles = spec.KeepFiles ?? DefaultKeepFiles,
            Sampling = spec.Sampling,
            Ratio = spec.Sampling == AccessLogSampling.Ratio ? spec.Ratio!.Value : 1,
        };
    }
}
