using System.Collections.Frozen;

namespace Edge.Gateway.Bus;

/// <summary>
/// Endpoints by name and by id for <c>ctx.Bus.RequestAsync</c>/<c>DispatchAsync</c>: an immutable snapshot replaced
/// whole whenever the route table is rebuilt (every endpoint edit, import or delete rebuilds it).
/// </summary>
internal sealed class EndpointDirectory
{
    private Snapshot _current = new(FrozenDictionary<string, BusTarget[]>.Empty, FrozenDictionary<string, BusTarget>.Empty);

    /// <summary>Replaces the snapshot with <paramref name="targets"/>.</summary>
    public void Publish(IEnumerable<BusTarget> targets)
    {
        var list = targets.ToList();
        var byName = list.GroupBy(t => t.Name, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var byId = list.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        Interlocked.Exchange(ref _current, new Snapshot(byName, byId));
    }

    /// <summary>
    /// The endpoint called <paramref name="nameOrId"/> (its name, or its id when names are ambiguous): null when none is,
    /// and every candidate when several endpoints share the name.
    /// </summary>
    public BusTarget? Find(string nameOrId, out BusTarget[] ambiguous)
    {
        ambiguous = [];
        var snapshot = Volatile.Read(ref _current);
        if (snapshot.ByName.TryGetValue(nameOrId, out var named))
        {
            if (named.Length == 1)
            {
                return named[0];
            }

            // Several endpoints share the name: the one enabled endpoint among them, if exactly one is.
            var enabled = named.Where(t => t.Enabled).ToArray();
            if (enabled.Length == 1)
            {
                return enabled[0];
            }

            ambiguous = named;
            return null;
        }

        return snapshot.ById.GetValueOrDefault(nameOrId);
    }

    private sealed record Snapshot(FrozenDictionary<string, BusTarget[]> ByName, FrozenDictionary<string, BusTarget> ById);
}
