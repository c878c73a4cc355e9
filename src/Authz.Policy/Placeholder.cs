namespace Authz.Policy; internal static class Placeholder {}
