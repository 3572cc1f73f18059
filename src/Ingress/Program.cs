// Entry point of the `ballast` command; the hosting lives in Hosting/ (filled in by the foundation work).
Console.WriteLine("ballast: not wired yet");
return 0;
