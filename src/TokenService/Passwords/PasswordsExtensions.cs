namespace TokenService.Passwords;

public static class PasswordsExtensions
{
    public static IHostApplicationBuilder AddPasswords(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PasswordHashingOptions>().BindConfiguration(PasswordHashingOptions.SectionName)
            .Validate(o => o.MemoryKiB >= PasswordHashingOptions.MinimumMemoryKiB, "Passwords:Hashing:MemoryKiB must be at least 19456 (OWASP).")
            .Validate(o => o.Iterations >= PasswordHashingOptions.MinimumIterations, "Passwords:Hashing:Iterations must be at least 2 (OWASP).")
            .Validate(o => o.Parallelism == 1, "Passwords:Hashing:Parallelism must be 1 (libsodium's Argon2id computes one lane).")
            .Validate(o => o.MaxConcurrentHashes is >= 1 and <= 1024, "Passwords:Hashing:MaxConcurrentHashes must be between 1 and 1024.")
            .Validate(o => o.MaxQueuedHashes is >= 0 and <= 100_000, "Passwords:Hashing:MaxQueuedHashes must be between 0 and 100000.")
            .Validate(o => o.MaxQueueWait > TimeSpan.Zero && o.MaxQueueWait <= TimeSpan.FromSeconds(30),
                "Passwords:Hashing:MaxQueueWait must be positive and at most 30 seconds.")
            .ValidateOnStart();
        builder.Services.AddOptions<PasswordPolicyOptions>().BindConfiguration(PasswordPolicyOptions.SectionName)
            .Validate(o => o.MinimumLength >= 8, "Passwords:Policy:MinimumLength must be at least 8.")
            .Validate(o => o.MaximumLength >= o.MinimumLength && o.MaximumLength <= 256,
                "Passwords:Policy:MaximumLength must be at least MinimumLength and at most 256.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PasswordPolicy>();
        builder.Services.AddSingleton<Argon2idPasswordHasher>();
        builder.Services.AddSingleton<PasswordHashingGate>();
        builder.Services.AddSingleton<PasswordHashing>();
        builder.Services.AddExceptionHandler<PasswordHashingOverloadHandler>();
        return builder;
    }
}
