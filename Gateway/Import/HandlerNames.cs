using System.Text;

namespace Edge.Gateway.Import;

/// <summary>How a handler file is matched to an operation: names compared with case and punctuation dropped.</summary>
internal static class HandlerNames
{
    /// <summary>
    /// Lower-case letters and digits only, so <c>getPetById</c>, <c>get_pet_by_id</c>, <c>get-pet-by-id</c> and the file
    /// name <c>GetPetById</c> (extension already removed) all give <c>getpetbyid</c>.
    /// </summary>
    public static string NormaliseHandlerName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }
}
