using Edge.Gateway.Import;

namespace Edge.Tests.Gateway.Import;

public sealed class HandlerNamesTests
{
    [Theory]
    [InlineData("getPetById")]
    [InlineData("get_pet_by_id")]
    [InlineData("get-pet-by-id")]
    [InlineData("GetPetById")]
    [InlineData("get pet by id")]
    [InlineData("GET.PET.BY.ID")]
    public void NormaliseHandlerName_Variants_AllGiveTheSameName(string name)
    {
        // Act
        var normalised = HandlerNames.NormaliseHandlerName(name);

        // Assert
        normalised.ShouldBe("getpetbyid");
    }

    [Theory]
    [InlineData("list-data-sets", "listdatasets")]
    [InlineData("find pet by id", "findpetbyid")]
    [InlineData("getV2Users_42", "getv2users42")]
    [InlineData("créerÉlément", "créerélément")]
    [InlineData("--", "")]
    public void NormaliseHandlerName_Name_LettersAndDigitsLowerCased(string name, string expected)
    {
        // Act
        var normalised = HandlerNames.NormaliseHandlerName(name);

        // Assert
        normalised.ShouldBe(expected);
    }

    [Fact]
    public void NormaliseHandlerName_FileNameWithoutExtension_MatchesOperationId()
    {
        // Act
        var fromFile = HandlerNames.NormaliseHandlerName(Path.GetFileNameWithoutExtension("handlers/GetPetById.cs"));

        // Assert
        fromFile.ShouldBe(HandlerNames.NormaliseHandlerName("getPetById"));
    }
}
