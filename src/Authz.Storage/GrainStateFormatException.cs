using Orleans.Runtime;

namespace Authz.Storage;

/// <summary>A stored payload could not be turned back into the grain's state type.</summary>
[GenerateSerializer]
public sealed class GrainStateFormatException : OrleansException
{
    /// <summary>Creates the exception.</summary>
    public GrainStateFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GrainStateFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public GrainStateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
