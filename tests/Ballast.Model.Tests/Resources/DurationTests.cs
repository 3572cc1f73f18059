using Ballast.Model.Resources;

namespace Ballast.Model.Tests.Resources;

public class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5s", 1_500)]
    public void Parses_units(string text, double ms)
    {
        Assert.True(Duration.TryParse(text, out var d));
        Assert.Equal(ms, d.Value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("-5s")]
    public void Rejects_what_is_not_a_duration(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("90s", "1m30s")]
    [InlineData("250ms", "250ms")]
    [InlineData("2h", "2h")]
    public void Prints_in_the_form_it_reads(string text, string printed)
    {
        Assert.True(Duration.TryParse(text, out var d));
        Assert.Equal(printed, d.ToString());
    }
}
