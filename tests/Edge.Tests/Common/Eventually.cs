using System.Diagnostics;

namespace Edge.Tests.Common;

/// <summary>Polls a condition until it holds or a deadline passes.</summary>
public static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, int pollMs = 50)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(pollMs);
        }
    }
}
