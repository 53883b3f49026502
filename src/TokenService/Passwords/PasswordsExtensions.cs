namespace TokenService.Passwords;

public static class PasswordsExtensions
{
    public static IHostApplicationBuilder AddPasswords(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PasswordHashingOptions>().BindConfiguration(PasswordHashingOptions.SectionName)
            .Validate(o => o.MemoryKiB >= PasswordHashingOptions.MinimumMemoryKiB, "Passwords:Hashing:MemoryKiB must be at least 19456 (OWASP).")
            .Validate(o => o.Iterations >= PasswordHashingOptions.MinimumIterations, "Passwords:Hashing:Iterations must be at least 2 (OWASP).")
            .Validate(o => o.Parallelism is >= 1 and <= 16, "Passwords:Hashing:Parallelism must be between 1 and 16.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Argon2idPasswordHasher>();
        return builder;
    }
}
