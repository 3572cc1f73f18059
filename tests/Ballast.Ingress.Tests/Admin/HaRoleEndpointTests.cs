using System.Net;
using Ballast.Ingress.Tests.Support;

namespace Ballast.Ingress.Tests.Admin;

/// <summary>POST /admin/ha/role: what keepalived's notify script calls; ballast_ha_role shows it.</summary>
[Trait("Category", "Integration")]
public sealed class HaRoleEndpointTests
{
    private static FormUrlEncodedContent Form(string instance, string state) => new([new("instance", instance), new("state", state)]);

    [Fact]
    public async Task Notify_transitions_set_one_role_per_instance_in_ballast_ha_role()
    {
        await using var ingress = await IngressFixture.StartAsync();

        (await ingress.Admin.PostAsync("/admin/ha/role", Form("VI_A", "MASTER"))).EnsureSuccessStatusCode();
        (await ingress.Admin.PostAsync("/admin/ha/role", Form("VI_B", "BACKUP"))).EnsureSuccessStatusCode();
        (await ingress.Admin.PostAsync("/admin/ha/role", Form("VI_A", "FAULT"))).EnsureSuccessStatusCode();
        var metrics = await ingress.MetricsAsync();

        Assert.Equal(1, PrometheusText.Value(metrics, "ballast_ha_role{vrrp_instance=\"VI_A\",role=\"fault\"}"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_ha_role{vrrp_instance=\"VI_A\",role=\"master\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "ballast_ha_role{vrrp_instance=\"VI_B\",role=\"backup\"}"));
        Assert.Equal(0, PrometheusText.Value(metrics, "ballast_ha_role{vrrp_instance=\"VI_B\",role=\"master\"}"));
    }

    [Fact]
    public async Task Only_POST_changes_the_role()
    {
        await using var ingress = await IngressFixture.StartAsync();

        var get = await ingress.Admin.GetAsync("/admin/ha/role?instance=VI_A&state=MASTER");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        Assert.DoesNotContain("ballast_ha_role{", await ingress.MetricsAsync());
    }

    [Theory]
    [InlineData("VI_A", "LEADER", "state:")]
    [InlineData("", "MASTER", "instance:")]
    [InlineData("VI A\"}", "MASTER", "instance:")]
    public async Task A_bad_field_is_a_400_naming_it_and_changes_nothing(string instance, string state, string field)
    {
        await using var ingress = await IngressFixture.StartAsync();

        var response = await ingress.Admin.PostAsync("/admin/ha/role", Form(instance, state));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(field, await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("ballast_ha_role{", await ingress.MetricsAsync());
    }

    [Fact]
    public async Task Instances_are_bounded()
    {
        await using var ingress = await IngressFixture.StartAsync();
        for (var i = 0; i < Ballast.Ingress.HighAvailability.HaRoles.MaxInstances; i++)
            (await ingress.Admin.PostAsync("/admin/ha/role", Form($"VI_{i}", "BACKUP"))).EnsureSuccessStatusCode();

        var one_more = await ingress.Admin.PostAsync("/admin/ha/role", Form("VI_extra", "BACKUP"));
        var known = await ingress.Admin.PostAsync("/admin/ha/role", Form("VI_0", "MASTER"));

        Assert.Equal(HttpStatusCode.BadRequest, one_more.StatusCode);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }
}
