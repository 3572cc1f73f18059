using Ballast.Acme.Certificates;
using Ballast.Acme.Listeners;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Operator.Certificates;

namespace Ballast.Acme.Tests.Certificates;

public sealed class CertificateConditionsTests
{
    private static readonly DateTimeOffset NotAfter = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CertificateReady_is_True_with_each_hostname_and_notAfter_when_every_acme_listener_holds_a_certificate()
    {
        var status = CertificateConditions.AddTo(new ResourceStatus(), [Listener("https", ready: true, "a.test", "b.test")], generation: 3);

        var condition = status.Conditions.Single(c => c.Type == ConditionTypes.CertificateReady);
        Assert.Equal(ConditionStatus.True, condition.Status);
        Assert.Equal("Issued", condition.Reason);
        Assert.Equal(3, condition.ObservedGeneration);
        var certificates = CertificateConditions.Certificates([Listener("https", ready: true, "a.test", "b.test")])!;
        Assert.Equal(["a.test", "b.test"], certificates.Select(c => c.Host));
        Assert.All(certificates, c => Assert.Equal(NotAfter, c.NotAfter));
    }

    [Fact]
    public void CertificateReady_is_False_with_the_failing_listeners_message_and_no_condition_without_acme_listeners()
    {
        var failing = Listener("api", ready: false, "api.test") with
        {
            Certificate = ManagedCertificateStatus.Initial with { Message = "http-01 challenge failed (urn:ietf:params:acme:error:connection)", ConsecutiveFailures = 1 },
        };
        var status = CertificateConditions.AddTo(new ResourceStatus(), [Listener("https", ready: true, "a.test"), failing], generation: 1);

        var condition = status.Conditions.Single(c => c.Type == ConditionTypes.CertificateReady);
        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Equal("Failed", condition.Reason);
        Assert.Equal("api: http-01 challenge failed (urn:ietf:params:acme:error:connection)", condition.Message);
        Assert.Empty(CertificateConditions.AddTo(new ResourceStatus(), [], 1).Conditions);
    }

    private static AcmeListenerStatus Listener(string name, bool ready, params string[] hostnames) => new(
        new AcmeListener("default", "site", name, new Uri("https://ca.test/dir"), null, null, hostnames, null),
        ready ? new ManagedCertificateStatus(true, NotAfter, NotAfter.AddDays(-30), "01", "Certificate 01 valid", 0, null) : ManagedCertificateStatus.Initial);
}
