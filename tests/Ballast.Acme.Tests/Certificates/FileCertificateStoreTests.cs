using Ballast.Acme.Certificates;
using Ballast.Acme.Tests.Support;

namespace Ballast.Acme.Tests.Certificates;

public sealed class FileCertificateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-store-").FullName;

    [Fact]
    public async Task Saves_chain_and_key_and_loads_them_back_with_the_key_private_to_the_owner()
    {
        using var ca = new LocalCaIssuer(TimeProvider.System, TimeSpan.FromDays(1));
        var issued = await ca.IssueAsync(["a.example.test", "b.example.test"], CancellationToken.None);
        var store = new FileCertificateStore(_directory);

        await store.SaveAsync("web", issued, CancellationToken.None);
        var loaded = await store.LoadAsync("web", CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(issued.SerialNumber, loaded.SerialNumber);
        Assert.Equal(["a.example.test", "b.example.test"], loaded.DnsNames);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "web.key")));
    }

    [Fact]
    public async Task A_damaged_pair_loads_as_absent_so_it_gets_reissued()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "web.crt"), "not a certificate");
        await File.WriteAllTextAsync(Path.Combine(_directory, "web.key"), "not a key");

        Assert.Null(await new FileCertificateStore(_directory).LoadAsync("web", CancellationToken.None));
    }

    [Fact]
    public async Task A_name_that_would_escape_the_folder_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new FileCertificateStore(_directory).LoadAsync("../web", CancellationToken.None));
        Assert.Equal("name", error.ParamName);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
