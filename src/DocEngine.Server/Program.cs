using DocEngine.Server;

var builder = DocEngineHost.CreateBuilder(args);
builder.AddDocEngine();

var app = builder.Build();
app.MapDocEngine();
return await app.RunDocEngineAsync();

/// <summary>The server's entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
