namespace DocEngine.Core.Common;

/// <summary>The refusals every PDF path shares, so a person reads the same sentence whichever step met the problem.</summary>
public static class PdfRefusals
{
    /// <summary>The PDF needs a user password and none was given.</summary>
    public static DocEngineException PasswordRequired() => new(ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED",
        "This PDF is password-protected: remove the password and upload it again, or give the password to see it.") { Field = "password" };

    /// <summary>The password given does not open the PDF.</summary>
    public static DocEngineException WrongPassword() => new(ErrorKind.InvalidArgument, "WRONG_PASSWORD",
        "That password does not open this PDF: check it (passwords are case-sensitive) and try again.") { Field = "password" };
}
