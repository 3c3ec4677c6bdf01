namespace Edge.Gateway.Policies;

/// <summary>The outcome of taking a token: allowed or not, tokens left, seconds until full and until the next token.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, long Remaining, long ResetSeconds, long RetryAfterSeconds);
