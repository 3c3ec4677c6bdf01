namespace Edge.Gateway.Admin;

/// <summary>One endpoint log line as the admin API shows it.</summary>
internal sealed record LogLineView(long Seq, string Time, string Level, string Message, string? RequestId);
