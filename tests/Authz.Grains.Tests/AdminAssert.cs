namespace Authz.Grains.Tests;

internal static class AdminAssert
{
    public static async Task<AdminError> Fails(AdminErrorCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<AdminException>(call);
        Assert.Equal(code, ex.Error.Code);
        return ex.Error;
    }
}
