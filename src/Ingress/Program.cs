// Entry point of the `ballast` command; see Cli/.
return await Ballast.Ingress.Cli.CommandLine.RunAsync(args);
