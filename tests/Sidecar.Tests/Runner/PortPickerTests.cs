using Sidecar.Runner;

namespace Sidecar.Tests.Runner;

/// <summary>
/// Ports are handed out once per process, whichever picker asks. The candidates here are fixed sequences of
/// privileged ports, which the OS never offers as free ports, so they cannot clash with the real pickers of the run.
/// </summary>
public sealed class PortPickerTests
{
    [Fact]
    public void Next_PortAnotherPickerHandedOut_IsSkipped()
    {
        var first = new PortPicker([], Sequence(101, 102));
        var second = new PortPicker([], Sequence(101, 101, 103));

        Assert.Equal(101, first.Next());
        Assert.Equal(103, second.Next());
        Assert.Equal(102, first.Next());
    }

    [Fact]
    public void Next_ReservedPort_IsSkipped()
    {
        var picker = new PortPicker([111], Sequence(111, 112));

        Assert.Equal(112, picker.Next());
    }

    private static Func<int> Sequence(params int[] ports)
    {
        var queue = new Queue<int>(ports);
        return () => queue.TryDequeue(out var port) ? port : throw new InvalidOperationException("the picker asked for more candidates than the test has");
    }
}
