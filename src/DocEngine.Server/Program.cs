using DocEngine.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddDocEngine();

var app = builder.Build();
app.MapDocEngine();
app.Run();

/// <summary>The server's entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
