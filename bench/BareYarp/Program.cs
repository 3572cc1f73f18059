// Filled in by the benchmark harness work.
Console.WriteLine("bare-yarp: not wired yet");
