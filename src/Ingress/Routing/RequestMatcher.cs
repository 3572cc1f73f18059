using System.Text.RegularExpressions;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Primitives;

namespace Ballast.Ingress.Routing;

/// <summary>
/// The non-host part of a route's match (path, methods, headers, query), compiled once per snapshot.
/// Matching reads the request without allocating (header lookups are the framework's; the query is read from the raw
/// query string: names case-sensitive, the first value of a repeated parameter, see <see cref="QueryParameters"/>).
/// Methods compare case-sensitively (RFC 9110: <c>get</c> is not <c>GET</c>).
/// Regexes run with <see cref="RegexOptions.NonBacktracking"/>: linear time whatever the input.
/// </summary>
public sealed class RequestMatcher
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private readonly PathMatchKind _pathKind;
    private readonly string _path;
    private readonly Regex? _pathRegex;
    private readonly string[] _methods;
    private readonly ValueMatcher[] _headers;
    private readonly ValueMatcher[] _query;

    public RequestMatcher(MatchSnapshot match)
    {
        _pathKind = match.PathKind;
        _path = match.Path;
        if (_pathKind == PathMatchKind.Regex)
        {
            // Anchored: the whole path must match, as Gateway API's RegularExpression path match means.
            _pathRegex = new Regex("^(?:" + match.Path + ")$", Options);
        }
        else if (_pathKind == PathMatchKind.Prefix && (_path is "" or "/"))
        {
            _pathKind = PathMatchKind.Any;
        }
        _methods = [.. match.Methods];
        _headers = [.. match.Headers.Select(h => new ValueMatcher(h))];
        _query = [.. match.Query.Select(q => new ValueMatcher(q))];
    }

    /// <summary>How the path is matched; a prefix of "" or "/" is <see cref="PathMatchKind.Any"/>.</summary>
    public PathMatchKind PathKind => _pathKind;
    /// <summary>The exact path, the prefix or the (unanchored) regex source.</summary>
    public string Path => _path;

    public bool Matches(HttpRequest request) => MatchesPath(request.Path.Value ?? "/") && MatchesBeyondPath(request);

    /// <summary>Methods, headers and query only: for a caller that matched the path already (the route index).</summary>
    public bool MatchesBeyondPath(HttpRequest request)
    {
        if (_methods.Length > 0 && !MatchesMethod(request.Method)) return false;
        foreach (var header in _headers)
        {
            if (!header.Matches(request.Headers[header.Name])) return false;
        }
        if (_query.Length > 0)
        {
            var query = request.QueryString.Value.AsSpan();
            foreach (var parameter in _query)
            {
                if (!QueryParameters.TryGetFirst(query, parameter.Name, out var value) || !parameter.Matches(value)) return false;
            }
        }
        return true;
    }

    /// <summary>
    /// What the request lacks for this match: the first part that fails, checked with the same predicates as
    /// <see cref="Matches"/> in the same order (path, method, headers, query); null when the request matches. For explain.
    /// </summary>
    public string? FirstMismatch(HttpRequest request)
    {
        if (!MatchesPath(request.Path.Value ?? "/")) return "path is not " + DescribePath();
        if (_methods.Length > 0 && !MatchesMethod(request.Method)) return $"method {request.Method} is not {string.Join(" or ", _methods)}";
        foreach (var header in _headers)
        {
            var values = request.Headers[header.Name];
            if (!header.Matches(values)) return values.Count == 0 ? $"no header {header.Name}" : $"header {header.Name} is not {header.DescribeValue()}";
        }
        foreach (var parameter in _query)
        {
            var values = request.Query[parameter.Name];
            if (!parameter.Matches(values)) return values.Count == 0 ? $"no query parameter {parameter.Name}" : $"query parameter {parameter.Name} is not {parameter.DescribeValue()}";
        }
        return null;
    }

    /// <summary>What this match requires, one phrase per part ("path under /api", "method GET", "header X-Tenant = gold"); empty: anything.</summary>
    public IReadOnlyList<string> Requirements()
    {
        var parts = new List<string>();
        if (_pathKind != PathMatchKind.Any) parts.Add("path " + DescribePath());
        if (_methods.Length > 0) parts.Add("method " + string.Join(" or ", _methods));
        parts.AddRange(_headers.Select(h => $"header {h.Name} {h.DescribeValue()}"));
        parts.AddRange(_query.Select(q => $"query parameter {q.Name} {q.DescribeValue()}"));
        return parts;
    }

    private string DescribePath() => _pathKind switch
    {
        PathMatchKind.Exact => "= " + _path,
        PathMatchKind.Prefix => "under " + _path,
        PathMatchKind.Regex => "~ " + _path,
        _ => "anything",
    };

    internal bool MatchesPath(string path)
    {
        switch (_pathKind)
        {
            case PathMatchKind.Any:
                return true;
            case PathMatchKind.Exact:
                return string.Equals(path, _path, StringComparison.Ordinal);
            case PathMatchKind.Prefix:
                // Segment-wise: "/api" matches "/api" and "/api/x", not "/apix". A prefix ending in "/" is a segment already.
                if (!path.StartsWith(_path, StringComparison.Ordinal)) return false;
                return path.Length == _path.Length || _path[^1] == '/' || path[_path.Length] == '/';
            case PathMatchKind.Regex:
                return _pathRegex!.IsMatch(path);
            default:
                return false;
        }
    }

    private bool MatchesMethod(string method)
    {
        foreach (var m in _methods)
        {
            if (string.Equals(m, method, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private sealed class ValueMatcher
    {
        private readonly ValueMatchKind _kind;
        private readonly string _value;
        private readonly Regex? _regex;

        public ValueMatcher(ValueMatchSnapshot match)
        {
            Name = match.Name;
            _kind = match.Kind;
            _value = match.Value;
            if (_kind == ValueMatchKind.Regex) _regex = new Regex("^(?:" + match.Value + ")$", Options);
        }

        public string Name { get; }

        /// <summary>"present", "= gold" or "~ g.*" (for explain).</summary>
        public string DescribeValue() => _kind switch
        {
            ValueMatchKind.Present => "present",
            ValueMatchKind.Exact => "= " + _value,
            _ => "~ " + _value,
        };

        /// <summary>True when any of the values matches (a repeated header or parameter).</summary>
        public bool Matches(StringValues values)
        {
            if (values.Count == 0) return false;
            if (_kind == ValueMatchKind.Present) return true;
            foreach (var value in values)
            {
                if (value is null) continue;
                if (_kind == ValueMatchKind.Exact ? string.Equals(value, _value, StringComparison.Ordinal) : _regex!.IsMatch(value)) return true;
            }
            return false;
        }

        /// <summary>A single value (a query parameter's first).</summary>
        public bool Matches(ReadOnlySpan<char> value) => _kind switch
        {
            ValueMatchKind.Present => true,
            ValueMatchKind.Exact => value.SequenceEqual(_value),
            _ => _regex!.IsMatch(value),
        };
    }
}
