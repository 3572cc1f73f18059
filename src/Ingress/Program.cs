// Entry point of the `ballast` command; see Cli/.
return await Ballast.Ingress.Hosting.CommandLine.RunAsync(args);
