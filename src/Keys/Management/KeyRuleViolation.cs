namespace Perspective.Keys.Management;

/// <summary>Why a key request was refused.</summary>
public enum KeyRule
{
    InvalidName,
    DuplicateName,
    NoWorkspaces,
    NotAMember,
    TooManyKeys,
    NoAccessChosen,
    InvalidExpiry,
}

/// <summary>A key request that breaks a rule; the message is written for the person who made it.</summary>
public sealed class KeyRuleViolation(KeyRule rule, string message) : Exception(message)
{
    public KeyRule Rule { get; } = rule;
}
