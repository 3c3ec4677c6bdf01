using System.Collections.ObjectModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;
using Edge.Services.Sql;

namespace Edge.Tests.Services.Sql;

/// <summary>Handler arguments → driver parameters, and database values → what handlers get back.</summary>
public sealed class SqlParametersTests
{
    private enum Colour : byte
    {
        Red = 1,
        Blue = 2,
    }

    [Fact]
    public void Read_AnonymousObject_ConvertsEveryValueKind()
    {
        // Arrange
        var when = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var id = Guid.NewGuid();
        using var json = JsonDocument.Parse("""{"n": 5, "d": 1.5, "s": "x", "b": true, "z": null, "o": {"a": 1}}""");
        var j = json.RootElement;

        // Act
        var values = SqlParameters.Read(new
        {
            text = "t",
            none = (string?)null,
            colour = Colour.Blue,
            small = (uint)7,
            huge = ulong.MaxValue,
            letter = 'c',
            day = new DateOnly(2026, 1, 2),
            when,
            id,
            bytes = new byte[] { 1, 2 },
            jn = j.GetProperty("n"),
            jd = j.GetProperty("d"),
            js = j.GetProperty("s"),
            jb = j.GetProperty("b"),
            jz = j.GetProperty("z"),
            jo = j.GetProperty("o"),
            node = JsonValue.Create(9),
        }).ToDictionary(p => p.Key, p => p.Value);

        // Assert
        values["text"].ShouldBe("t");
        values["none"].ShouldBe(DBNull.Value);
        values["colour"].ShouldBe((byte)2);
        values["small"].ShouldBe(7L);
        values["huge"].ShouldBe((decimal)ulong.MaxValue);
        values["letter"].ShouldBe("c");
        values["day"].ShouldBe(new DateTime(2026, 1, 2));
        values["when"].ShouldBe(when);
        values["id"].ShouldBe(id);
        values["bytes"].ShouldBe(new byte[] { 1, 2 });
        values["jn"].ShouldBe(5L);
        values["jd"].ShouldBe(1.5m);
        values["js"].ShouldBe("x");
        values["jb"].ShouldBe(true);
        values["jz"].ShouldBe(DBNull.Value);
        values["jo"].ShouldBe("""{"a": 1}""");
        values["node"].ShouldBe(9L);
    }

    public static TheoryData<object> Dictionaries => new()
    {
        new Dictionary<string, object?> { ["@a"] = 1, ["b"] = "x" },
        new ReadOnlyDictionary<string, object?>(new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" }),
        new Dictionary<string, object> { ["a"] = 1, ["b"] = "x" },
        new JsonObject { ["a"] = 1, ["b"] = "x" },
        JsonDocument.Parse("""{"a": 1, "b": "x"}""").RootElement,
    };

    [Theory]
    [MemberData(nameof(Dictionaries))]
    public void Read_DictionariesAndJsonObjects_NamesWithoutAt(object args)
    {
        // Act
        var values = SqlParameters.Read(args).ToDictionary(p => p.Key, p => p.Value);

        // Assert
        values.Keys.Order().ShouldBe(["a", "b"]);
        Convert.ToInt64(values["a"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1);
        values["b"].ShouldBe("x");
    }

    [Fact]
    public void Read_TypedDictionary_ThroughNonGenericInterface()
    {
        // Act
        var values = SqlParameters.Read(new Dictionary<string, int> { ["a"] = 3 });

        // Assert
        values.ShouldHaveSingleItem().ShouldBe(new KeyValuePair<string, object>("a", 3));
    }

    public static TheoryData<object> NotArgs => new() { "SELECT 1", 42, new List<int> { 1 }, Guid.NewGuid(), JsonValue.Create(1)! };

    [Theory]
    [MemberData(nameof(NotArgs))]
    public void Read_ScalarsAndLists_Refused(object args) =>
        Should.Throw<HandlerError>(() => SqlParameters.Read(args)).StatusCode.ShouldBe(500);

    [Fact]
    public void Read_BadNameOrUnsupportedValue_RefusedNamingIt()
    {
        // Act
        var badName = Should.Throw<HandlerError>(() => SqlParameters.Read(new Dictionary<string, object?> { ["a b"] = 1 }));
        var badValue = Should.Throw<HandlerError>(() => SqlParameters.Read(new { address = IPAddress.Loopback }));

        // Assert
        badName.Message.ShouldContain("'a b'");
        badValue.Message.ShouldContain("@address");
        badValue.Message.ShouldContain("IPAddress");
    }

    [Fact]
    public void Convert_Scalars_AcrossTypes()
    {
        // Assert
        SqlValues.Convert<int>(42L, "s").ShouldBe(42);
        SqlValues.Convert<double>(1.5m, "s").ShouldBe(1.5);
        SqlValues.Convert<int>("42", "s").ShouldBe(42);
        SqlValues.Convert<long>(null, "s").ShouldBe(0);
        SqlValues.Convert<int?>(DBNull.Value, "s").ShouldBeNull();
        SqlValues.Convert<int?>(7L, "s").ShouldBe(7);
        SqlValues.Convert<bool>(1L, "s").ShouldBeTrue();
        SqlValues.Convert<bool>("0", "s").ShouldBeFalse();
        SqlValues.Convert<Colour>(2L, "s").ShouldBe(Colour.Blue);
        SqlValues.Convert<Colour>("red", "s").ShouldBe(Colour.Red);
        var id = Guid.NewGuid();
        SqlValues.Convert<Guid>(id.ToString(), "s").ShouldBe(id);
        SqlValues.Convert<string>(12.5m, "s").ShouldBe("12.5");
        SqlValues.Convert<DateTimeOffset>(new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Unspecified), "s")
            .ShouldBe(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Convert_DoesNotFit_500NamingServiceAndType()
    {
        // Act
        var error = Should.Throw<HandlerError>(() => SqlValues.Convert<int>(long.MaxValue, "orders"));

        // Assert
        error.StatusCode.ShouldBe(500);
        error.Message.ShouldStartWith("service 'orders': cannot convert the Int64 value to Int32");
    }

    [Fact]
    public void FromDb_DbNullArraysAndOddTypes_JsonFriendly()
    {
        // Assert
        SqlValues.FromDb(DBNull.Value).ShouldBeNull();
        SqlValues.FromDb(5).ShouldBe(5);
        SqlValues.FromDb(new[] { 1, 2 }).ShouldBe(new object?[] { 1, 2 });
        SqlValues.FromDb(IPAddress.Loopback).ShouldBe("127.0.0.1");
    }
}
