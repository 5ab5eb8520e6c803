using Sidecar.Hosting;

namespace Sidecar.Tests.Jobs;

public sealed class JobsOptionsTests
{
    [Fact]
    public void Parse_SidecarDataDir_SetsTheJobsDirectory()
    {
        var options = SidecarCommandLine.Parse(["--app-id", "orders", "--sidecar-data-dir", "/tmp/jobs-here"], _ => null);
        var inline = SidecarCommandLine.Parse(["--app-id", "orders", "--sidecar-data-dir=/tmp/other"], _ => null);

        Assert.Equal("/tmp/jobs-here", options.EffectiveDataDirectory);
        Assert.Equal("/tmp/other", inline.EffectiveDataDirectory);
    }

    [Fact]
    public void Parse_NoDataDir_DefaultsToDotDataPerApp()
    {
        var options = SidecarCommandLine.Parse(["--app-id", "orders"], _ => null);

        Assert.Null(options.DataDirectory);
        Assert.Equal(Path.Combine(".data", "sidecar", "orders"), options.EffectiveDataDirectory);
    }

    [Fact]
    public void Parse_DataDirWithoutValue_IsAUsageError()
    {
        Assert.Throws<SidecarUsageException>(() => SidecarCommandLine.Parse(["--app-id", "orders", "--sidecar-data-dir"], _ => null));
    }
}
