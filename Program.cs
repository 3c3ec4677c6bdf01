Console.WriteLine("edge");
