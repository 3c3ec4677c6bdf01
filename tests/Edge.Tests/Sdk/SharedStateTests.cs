using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;
using Edge.Tests.Common;

namespace Edge.Tests.Sdk;

/// <summary>ctx.State: each operation, expiry on a manual clock, atomicity under contention, JSON round trips, limits.</summary>
public sealed class SharedStateTests
{
    private readonly ManualTimeProvider _clock = new();

    private sealed record Point(int X, string Label);

    [Fact]
    public void Get_Missing_ReturnsDefault()
    {
        // Arrange
        var state = Create();

        // Act / Assert
        state.Get<string>("nope").ShouldBeNull();
        state.Get<int>("nope").ShouldBe(0);
        state.Get<int?>("nope").ShouldBeNull();
        state.Contains("nope").ShouldBeFalse();
    }

    [Fact]
    public void Set_HostTypes_ReadBackAsStored()
    {
        // Arrange
        var state = Create();
        var id = Guid.NewGuid();
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));

        // Act
        state.Set("s", "text");
        state.Set("b", true);
        state.Set("d", 1.25m);
        state.Set("g", id);
        state.Set("t", when);
        state.Set("span", TimeSpan.FromSeconds(3));

        // Assert
        state.Get<string>("s").ShouldBe("text");
        state.Get<bool>("b").ShouldBeTrue();
        state.Get<decimal>("d").ShouldBe(1.25m);
        state.Get<Guid>("g").ShouldBe(id);
        state.Get<DateTimeOffset>("t").ShouldBe(when);
        state.Get<TimeSpan>("span").ShouldBe(TimeSpan.FromSeconds(3));
        state.Count.ShouldBe(6);
    }

    [Fact]
    public void Get_NumberAsOtherNumericType_ConvertsWhenLossless()
    {
        // Arrange
        var state = Create();
        state.Set("n", 42L);
        state.Set("big", long.MaxValue);
        state.Set("half", 1.5);

        // Act / Assert
        state.Get<int>("n").ShouldBe(42);
        state.Get<double>("n").ShouldBe(42.0);
        state.Get<int?>("n").ShouldBe(42);
        Should.Throw<HandlerError>(() => state.Get<int>("big")).StatusCode.ShouldBe(409);
        Should.Throw<HandlerError>(() => state.Get<long>("half")).Message.ShouldContain("without loss");
        Should.Throw<HandlerError>(() => state.Get<string>("n")).StatusCode.ShouldBe(409);
    }

    [Fact]
    public void Set_ByteArray_IsCopiedBothWays()
    {
        // Arrange
        var state = Create();
        var bytes = new byte[] { 1, 2, 3 };

        // Act
        state.Set("bytes", bytes);
        bytes[0] = 9;
        var read = state.Get<byte[]>("bytes")!;
        read[1] = 9;

        // Assert
        state.Get<byte[]>("bytes").ShouldBe(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public void Set_NonHostValue_RoundTripsThroughJson()
    {
        // Arrange
        var state = Create();

        // Act
        state.Set("p", new Point(3, "three"));
        state.Set("anon", new { name = "widget", tags = new[] { "a", "b" } });
        state.Set("node", new JsonObject { ["k"] = 1 });

        // Assert
        state.Get<Point>("p").ShouldBe(new Point(3, "three"));
        state.Get<object>("p").ShouldBeOfType<JsonElement>().GetProperty("x").GetInt32().ShouldBe(3);
        state.Get<JsonElement>("anon").GetProperty("tags")[1].GetString().ShouldBe("b");
        state.Get<JsonObject>("node")!["k"]!.GetValue<int>().ShouldBe(1);
        Should.Throw<HandlerError>(() => state.Get<int>("p")).StatusCode.ShouldBe(409);
    }

    [Fact]
    public void Set_Null_RemovesKey()
    {
        // Arrange
        var state = Create();
        state.Set("k", "v");

        // Act
        state.Set<string?>("k", null);

        // Assert
        state.Contains("k").ShouldBeFalse();
        state.Count.ShouldBe(0);
    }

    [Fact]
    public void Remove_Present_TrueThenFalse()
    {
        // Arrange
        var state = Create();
        state.Set("k", 1);

        // Act / Assert
        state.Remove("k").ShouldBeTrue();
        state.Remove("k").ShouldBeFalse();
        state.Contains("k").ShouldBeFalse();
    }

    [Fact]
    public void Set_WithTtl_ExpiresOnTheClock()
    {
        // Arrange
        var state = Create();
        state.Set("k", "v", TimeSpan.FromSeconds(10));

        // Act / Assert
        _clock.Advance(TimeSpan.FromSeconds(9));
        state.Get<string>("k").ShouldBe("v");
        _clock.Advance(TimeSpan.FromSeconds(1));
        state.Get<string>("k").ShouldBeNull();
        state.Contains("k").ShouldBeFalse();
        state.Remove("k").ShouldBeFalse();
    }

    [Fact]
    public void Set_WithoutTtl_ReplacesEarlierExpiry()
    {
        // Arrange
        var state = Create();
        state.Set("k", 1, TimeSpan.FromSeconds(1));

        // Act
        state.Set("k", 2);
        _clock.Advance(TimeSpan.FromDays(1));

        // Assert
        state.Get<int>("k").ShouldBe(2);
    }

    [Fact]
    public void Set_NonPositiveTtl_Throws400()
    {
        // Arrange
        var state = Create();

        // Act / Assert
        Should.Throw<HandlerError>(() => state.Set("k", 1, TimeSpan.Zero)).StatusCode.ShouldBe(400);
    }

    [Fact]
    public void Increment_Missing_StartsAtZero()
    {
        // Arrange
        var state = Create();

        // Act
        var first = state.Increment("n");
        var second = state.Increment("n", 10);
        var third = state.Increment("n", -4);

        // Assert
        (first, second, third).ShouldBe((1L, 11L, 7L));
        state.Get<long>("n").ShouldBe(7);
    }

    [Fact]
    public void Increment_StoredInt_ContinuesFromIt()
    {
        // Arrange
        var state = Create();
        state.Set("n", 5);

        // Act / Assert
        state.Increment("n").ShouldBe(6);
        state.Get<int>("n").ShouldBe(6);
    }

    [Fact]
    public void Increment_KeepsExpiry_AndRestartsAfterIt()
    {
        // Arrange
        var state = Create();
        state.Set("window", 0, TimeSpan.FromMinutes(1));

        // Act
        state.Increment("window");
        state.Increment("window");
        _clock.Advance(TimeSpan.FromMinutes(1));

        // Assert
        state.Get<long?>("window").ShouldBeNull();
        state.Increment("window").ShouldBe(1);
    }

    [Fact]
    public void Increment_NonInteger_Throws409()
    {
        // Arrange
        var state = Create();
        state.Set("s", "text");
        state.Set("d", 1.5);
        state.Set("max", long.MaxValue);

        // Act / Assert
        var error = Should.Throw<HandlerError>(() => state.Increment("s"));
        error.StatusCode.ShouldBe(409);
        error.Message.ShouldContain("not an integer");
        Should.Throw<HandlerError>(() => state.Increment("d")).StatusCode.ShouldBe(409);
        Should.Throw<HandlerError>(() => state.Increment("max")).Message.ShouldContain("overflows");
    }

    [Fact]
    public void Increment_ParallelFromManyThreads_CountsExactly()
    {
        // Arrange
        var state = Create();

        // Act
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                state.Increment("hits");
            }
        });

        // Assert
        state.Get<long>("hits").ShouldBe(80_000);
    }

    [Fact]
    public void CompareAndSet_MatchingAndNot_SwapsOnlyOnMatch()
    {
        // Arrange
        var state = Create();
        state.Set("k", "a");

        // Act / Assert
        state.CompareAndSet("k", "x", "b").ShouldBeFalse();
        state.Get<string>("k").ShouldBe("a");
        state.CompareAndSet("k", "a", "b").ShouldBeTrue();
        state.Get<string>("k").ShouldBe("b");
    }

    [Fact]
    public void CompareAndSet_NullExpected_MeansAbsent()
    {
        // Arrange
        var state = Create();

        // Act / Assert
        state.CompareAndSet<string?>("k", null, "first").ShouldBeTrue();
        state.CompareAndSet<string?>("k", null, "second").ShouldBeFalse();
        state.Get<string>("k").ShouldBe("first");
        state.CompareAndSet<string?>("k", "first", null).ShouldBeTrue();
        state.Contains("k").ShouldBeFalse();
    }

    [Fact]
    public void CompareAndSet_NumbersAcrossTypes_CompareByValue()
    {
        // Arrange
        var state = Create();
        state.Increment("n", 5); // stored as a long

        // Act / Assert
        state.CompareAndSet("n", 5, 6).ShouldBeTrue();
        state.Get<long>("n").ShouldBe(6);
        state.CompareAndSet("absent", 0L, 1L).ShouldBeTrue("a value type's default matches an absent key");
    }

    [Fact]
    public void CompareAndSet_JsonValue_ComparesByJson()
    {
        // Arrange
        var state = Create();
        state.Set("p", new Point(1, "one"));

        // Act / Assert
        state.CompareAndSet("p", new Point(1, "uno"), new Point(2, "two")).ShouldBeFalse();
        state.CompareAndSet("p", new Point(1, "one"), new Point(2, "two")).ShouldBeTrue();
        state.Get<Point>("p").ShouldBe(new Point(2, "two"));
    }

    [Fact]
    public void CompareAndSet_ParallelLoops_NoLostUpdates()
    {
        // Arrange
        var state = Create();
        state.Set("n", 0L);

        // Act
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                while (true)
                {
                    var current = state.Get<long>("n");
                    if (state.CompareAndSet("n", current, current + 1))
                    {
                        break;
                    }
                }
            }
        });

        // Assert
        state.Get<long>("n").ShouldBe(80_000);
    }

    [Fact]
    public void GetOrAdd_Present_DoesNotRunFactory()
    {
        // Arrange
        var state = Create();
        state.Set("k", "existing");

        // Act
        var value = state.GetOrAdd<string>("k", () => throw new InvalidOperationException("must not run"));

        // Assert
        value.ShouldBe("existing");
    }

    [Fact]
    public void GetOrAdd_Expired_RunsFactoryAgain()
    {
        // Arrange
        var state = Create();
        state.GetOrAdd("k", () => "old", TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(2));

        // Act
        var value = state.GetOrAdd("k", () => "new");

        // Assert
        value.ShouldBe("new");
    }

    [Fact]
    public void GetOrAdd_UnderContention_KeepsOneValue()
    {
        // Arrange
        var state = Create();
        var results = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        using var start = new Barrier(8);

        // Act
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            start.SignalAndWait();
            results.Add(state.GetOrAdd("id", Guid.NewGuid));
        });

        // Assert
        results.Count.ShouldBe(8);
        results.Distinct().Count().ShouldBe(1);
        state.Get<Guid>("id").ShouldBe(results.First());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void AnyOperation_EmptyKey_Throws400(string? key)
    {
        // Arrange
        var state = Create();

        // Act / Assert
        Should.Throw<HandlerError>(() => state.Get<int>(key!)).StatusCode.ShouldBe(400);
        Should.Throw<HandlerError>(() => state.Set(key!, 1)).StatusCode.ShouldBe(400);
        Should.Throw<HandlerError>(() => state.Increment(key!)).StatusCode.ShouldBe(400);
    }

    [Fact]
    public void Set_KeyLengthLimit_Enforced()
    {
        // Arrange
        var state = Create();

        // Act
        state.Set(new string('k', SharedState.MaxKeyLength), 1);
        var error = Should.Throw<HandlerError>(() => state.Set(new string('k', SharedState.MaxKeyLength + 1), 1));

        // Assert
        error.StatusCode.ShouldBe(400);
        error.Message.ShouldContain("256");
    }

    [Fact]
    public void Set_BeyondMaxEntries_Throws503ButReplacesExisting()
    {
        // Arrange
        var state = Create(maxEntries: 3);
        state.Set("a", 1);
        state.Set("b", 2);
        state.Set("c", 3);

        // Act
        var error = Should.Throw<HandlerError>(() => state.Set("d", 4));
        state.Set("a", 10);

        // Assert
        error.StatusCode.ShouldBe(503);
        error.Message.ShouldContain("full");
        state.Get<int>("a").ShouldBe(10);
        state.Count.ShouldBe(3);
    }

    [Fact]
    public void Set_AtMaxEntriesWithExpiredOnes_SweepsThemToMakeRoom()
    {
        // Arrange
        var state = Create(maxEntries: 3);
        state.Set("a", 1, TimeSpan.FromSeconds(1));
        state.Set("b", 2, TimeSpan.FromSeconds(1));
        state.Set("c", 3);
        _clock.Advance(TimeSpan.FromSeconds(1));

        // Act
        state.Set("d", 4);
        state.Set("e", 5);

        // Assert
        state.Count.ShouldBe(3);
        state.Get<int>("e").ShouldBe(5);
    }

    [Fact]
    public void Store_ManyExpiredKeys_SweptWithoutReadingThem()
    {
        // Arrange
        var store = new SharedStateStore(_clock);
        var state = new SharedState(store, JsonSerializerOptions.Web);
        for (var i = 0; i < SharedStateStore.SweepEvery; i++)
        {
            state.Set("old" + i, i, TimeSpan.FromSeconds(1));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));

        // Act
        for (var i = 0; i < SharedStateStore.SweepEvery; i++)
        {
            state.Set("new" + i, i);
        }

        // Assert
        store.StoredCount.ShouldBeLessThanOrEqualTo(SharedStateStore.SweepEvery + 1);
        state.Count.ShouldBe(SharedStateStore.SweepEvery);
    }

    [Fact]
    public void ContextState_SameStore_SharedAcrossContexts()
    {
        // Arrange
        var store = new SharedStateStore(_clock);
        var first = new Context(NullHandlerLogSink.Instance, "e1", "r1", CancellationToken.None, state: store);
        var second = new Context(NullHandlerLogSink.Instance, "e2", "r2", CancellationToken.None, state: store);

        // Act
        first.State.Set("k", "shared");

        // Assert
        second.State.Get<string>("k").ShouldBe("shared");
        new Context().State.Contains("k").ShouldBeFalse("a test context has a store of its own");
    }

    private SharedState Create(int maxEntries = SharedStateStore.DefaultMaxEntries) =>
        new(new SharedStateStore(_clock, maxEntries), new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
