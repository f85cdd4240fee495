using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Perspective.Platform.Storage;

/// <summary>
/// Every timestamp is stored in UTC; SQLite hands them back without a kind, so they are marked
/// UTC on the way in from the database (and APIs can turn them into protobuf timestamps).
/// </summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
