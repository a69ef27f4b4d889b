using System.Collections.Concurrent;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("DocEngine.Tests.Infrastructure.SummarizingTestFramework", "DocEngine.Tests")]

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// xUnit's own framework, but the run ends with a list of the tests that failed and the first line of each message. A
/// failure's details print where it happens, among a thousand "Passed" lines; a log that keeps only its end (CI's) lost
/// which test it was.
/// </summary>
public sealed class SummarizingTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new XunitTestAssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, new FailureSummary(executionMessageSink, Console.Out), executionOptions);
            await runner.RunAsync();
        }
    }
}

/// <summary>Passes every message on; notes each failed test, and prints them all when the assembly has finished.</summary>
public sealed class FailureSummary(IMessageSink inner, TextWriter output) : LongLivedMarshalByRefObject, IMessageSink
{
    private readonly ConcurrentQueue<string> _failures = new();

    public bool OnMessage(IMessageSinkMessage message)
    {
        switch (message)
        {
            case ITestFailed failed:
                var first = failed.Messages.FirstOrDefault()?.Split('\n')[0].Trim() ?? "";
                _failures.Enqueue($"  {failed.Test.DisplayName}: {(first.Length > 300 ? first[..300] + "…" : first)}");
                break;
            case ITestAssemblyFinished when !_failures.IsEmpty:
                output.WriteLine($"*** {_failures.Count} test(s) failed (their full messages are above):");
                foreach (var failure in _failures)
                {
                    output.WriteLine(failure);
                }
                output.Flush();
                break;
        }
        return inner.OnMessage(message);
    }
}
