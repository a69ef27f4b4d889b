// The suite drives Unix tools (fsync semantics, kill -9, file modes); it does not run on Windows.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
