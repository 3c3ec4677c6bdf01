namespace Edge.Services;

internal enum ConfigFieldKind
{
    String,
    Integer,
    Boolean,
    Choice,
}
