Console.WriteLine("authz");
