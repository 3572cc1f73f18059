using System.Text;

namespace Ballast.Ingress.Hosting;

/// <summary>
/// One option of a command: its flag, the placeholder of its value (null: a switch), one line of help, how it
/// changes the draft being parsed (an error message naming the flag, or null), and optionally the environment
/// variable that sets it when the flag is absent. A command's table both parses its arguments and prints its
/// <c>--help</c>, so the two cannot disagree.
/// </summary>
public sealed record CliOption<TDraft>(string Name, string? Value, string Help, Func<TDraft, string, string?> Apply)
{
    /// <summary>The environment variable read before the arguments (a flag given on the command line wins).</summary>
    public string? Environment { get; init; }
}

/// <summary>Parsing and help for a table of <see cref="CliOption{TDraft}"/>.</summary>
public static class CliOptions
{
    /// <summary>
    /// Applies the environment variables of <paramref name="table"/>, then <paramref name="args"/> in order.
    /// Arguments that are not options go to <paramref name="positional"/> (null: they are errors).
    /// </summary>
    public static bool TryParse<TDraft>(IReadOnlyList<CliOption<TDraft>> table, string[] args, TDraft draft, out string error,
        Func<string, string?>? environment = null, List<string>? positional = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        error = "";
        foreach (var option in table)
        {
            if (option.Environment is not { } variable || environment(variable) is not { Length: > 0 } fromEnvironment) continue;
            if (option.Apply(draft, fromEnvironment) is { } problem)
            {
                // The message names the flag; say where the value came from.
                error = $"{variable}: {problem}";
                return false;
            }
        }
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var option = table.FirstOrDefault(o => o.Name == arg);
            if (option is null)
            {
                if (positional is not null && (arg == "-" || !arg.StartsWith('-')))
                {
                    positional.Add(arg);
                    continue;
                }
                error = $"unknown option '{arg}'";
                return false;
            }
            string value = "";
            if (option.Value is not null)
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{option.Name} needs a value ({option.Value})";
                    return false;
                }
                value = args[++i];
            }
            if (option.Apply(draft, value) is { } problem)
            {
                error = problem;
                return false;
            }
        }
        return true;
    }

    /// <summary>For an option's Apply: runs <paramref name="apply"/> and reports no error.</summary>
    public static string? Set(Action apply)
    {
        apply();
        return null;
    }

    /// <summary>The options as help lines: flag and placeholder, then the help (and the environment variable), aligned.</summary>
    public static string Help<TDraft>(IEnumerable<CliOption<TDraft>> table)
    {
        var rows = table.Select(o => (Flag: o.Value is null ? o.Name : $"{o.Name} {o.Value}", o.Help, o.Environment)).ToList();
        var width = rows.Max(r => r.Flag.Length) + 3;
        var text = new StringBuilder();
        foreach (var (flag, help, variable) in rows)
        {
            text.Append("  ").Append(flag.PadRight(width)).Append(help);
            if (variable is not null) text.Append(" [").Append(variable).Append(']');
            text.Append('\n');
        }
        return text.ToString();
    }
}
