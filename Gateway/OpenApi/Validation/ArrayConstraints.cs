using System.Buffers;
using System.Text.Json;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>items, prefixItems, minItems, maxItems and uniqueItems of one schema.</summary>
internal sealed class ArrayConstraints
{
    // Up to this many items, uniqueness is checked pairwise; past it, items are bucketed by a hash first so a
    // large array cannot cost quadratic time.
    private const int PairwiseLimit = 32;

    public int MinItems { get; init; }
    public int? MaxItems { get; init; }
    public bool UniqueItems { get; init; }

    /// <summary>The schema of every item (of every item past <see cref="PrefixItems"/> when there are some).</summary>
    public SchemaNode? Items { get; init; }

    public SchemaNode[]? PrefixItems { get; init; }

    public void Validate(JsonElement instance, ValidationContext context)
    {
        var count = instance.GetArrayLength();
        if (count < MinItems && context.Fail())
        {
            context.Describe($"must have at least {StringConstraints.Plural(MinItems, "item")}, got {count}");
        }

        if (MaxItems is { } maxItems && count > maxItems && context.Fail())
        {
            context.Describe($"must have at most {StringConstraints.Plural(maxItems, "item")}, got {count}");
        }

        if (Items is not null || PrefixItems is not null)
        {
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                var schema = PrefixItems is not null && index < PrefixItems.Length ? PrefixItems[index] : Items;
                if (schema is not null)
                {
                    context.Push(index);
                    schema.Validate(item, context);
                    context.Pop();
                    if (context.IsFull)
                    {
                        return;
                    }
                }

                index++;
            }
        }

        if (UniqueItems && count > 1 && FindDuplicate(instance, count) is var (first, second) && first >= 0 && context.Fail())
        {
            context.Describe($"items {first} and {second} are equal; items must be unique");
        }
    }

    private static (int First, int Second) FindDuplicate(JsonElement instance, int count)
    {
        var items = ArrayPool<JsonElement>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var item in instance.EnumerateArray())
            {
                items[n++] = item;
            }

            if (count <= PairwiseLimit)
            {
                for (var j = 1; j < count; j++)
                {
                    for (var i = 0; i < j; i++)
                    {
                        if (JsonElement.DeepEquals(items[i], items[j]))
                        {
                            return (i, j);
                        }
                    }
                }

                return (-1, -1);
            }

            var buckets = new Dictionary<int, List<int>>(count);
            for (var j = 0; j < count; j++)
            {
                var hash = Hash(items[j]);
                if (!buckets.TryGetValue(hash, out var bucket))
                {
                    buckets[hash] = [j];
                    continue;
                }

                foreach (var i in bucket)
                {
                    if (JsonElement.DeepEquals(items[i], items[j]))
                    {
                        return (i, j);
                    }
                }

                bucket.Add(j);
            }

            return (-1, -1);
        }
        finally
        {
            ArrayPool<JsonElement>.Shared.Return(items, clearArray: true);
        }
    }

    /// <summary>Equal values (as DeepEquals sees them: 1 and 1.0 alike, property order ignored) hash alike.</summary>
    private static int Hash(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => HashCode.Combine(JsonValueKind.String, value.GetString()),
        JsonValueKind.Number => HashCode.Combine(JsonValueKind.Number, value.TryGetDouble(out var number) ? number : 0),
        JsonValueKind.Array => HashCode.Combine(JsonValueKind.Array, value.GetArrayLength()),
        JsonValueKind.Object => HashCode.Combine(JsonValueKind.Object, value.GetPropertyCount()),
        var kind => (int)kind,
    };
}
