namespace Ballast.Testing;

/// <summary>
/// The fast lane (<c>./test.sh --fast</c>, which sets <c>BALLAST_FAST_LANE=1</c>) runs only the tests without sockets,
/// servers or external programs; the others carry <c>[Trait("Category", "Integration")]</c>. Every shared helper that
/// opens a socket, starts a server or finds a program calls <see cref="Guard"/>, so a test that does and is not marked
/// fails in the fast lane with a message that says what to do, instead of quietly making the lane slow.
/// </summary>
public static class FastLane
{
    public static bool Active => Environment.GetEnvironmentVariable("BALLAST_FAST_LANE") == "1";

    public static void Guard(string what)
    {
        if (Active)
            throw new InvalidOperationException(
                $"{what} in the fast lane: mark the test class [Trait(\"Category\", \"Integration\")] (see tests/Ballast.Testing/FastLane.cs)");
    }
}
