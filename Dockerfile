# Ballast: one image, two programs.
#   /app/ballast           the ingress data plane (default entry point)
#   /app/ballast-operator  the operator (the chart's operator Deployment sets `command: [/app/ballast-operator]`)
# Two apphost executables instead of a role-switching script: the runtime image has no shell, and each role
# is a plain exec that receives SIGTERM directly (graceful drain) with no wrapper in between.
#
# Tests (tests/Ballast.Packaging.Tests) run the `dotnet` commands of the build stage below verbatim (with
# /src = the repository and /app = a temporary folder) and start both published programs, because no
# container engine runs on the build machines. Keep every build step a single `RUN dotnet ...` line.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so source edits reuse the restored layer.
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY src/Model/Ballast.Model.csproj src/Model/
COPY src/Acme/Ballast.Acme.csproj src/Acme/
COPY src/Ingress/Ballast.Ingress.csproj src/Ingress/
COPY src/Operator/Ballast.Operator.csproj src/Operator/
RUN dotnet restore src/Ingress/Ballast.Ingress.csproj
RUN dotnet restore src/Operator/Ballast.Operator.csproj
COPY src/ src/
# Framework-dependent (the runtime image brings ASP.NET Core); both programs share one folder and one set of
# library files (central package versions make them identical).
RUN dotnet publish src/Ingress/Ballast.Ingress.csproj --no-restore -c Release -o /app -p:UseAppHost=true -p:DebugType=none
RUN dotnet publish src/Operator/Ballast.Operator.csproj --no-restore -c Release -o /app -p:UseAppHost=true -p:DebugType=none

# The demo echo backend of samples/kubernetes (samples/EchoBackend), an image of its own:
#   docker build --target echo-backend -t ballast/echo-backend:dev .
# It answers every request with its --name and what it saw; it listens where --urls says.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS echo-build
WORKDIR /src
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY samples/EchoBackend/ samples/EchoBackend/
RUN dotnet publish samples/EchoBackend/EchoBackend.csproj -c Release -o /echo -p:UseAppHost=true -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS echo-backend
WORKDIR /app
COPY --from=echo-build /echo ./
USER 1654:1654
EXPOSE 8080
ENTRYPOINT ["/app/echo-backend"]
CMD ["--urls", "http://0.0.0.0:8080"]

# The Ballast image (the default target: last). Chiseled Ubuntu: no shell, no package manager, a non-root `app`
# user (uid 1654) already defined.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# Numeric user so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 1654:1654
# Read-only root filesystem: no diagnostics IPC socket in /tmp, no globalization data needed.
# Tier-up without the call-counting delay: steady state in seconds, not ~40 s (docs: stack notes).
# Socket continuations inline on the epoll thread (+13-21% for YARP on this kind of machine): safe because
# nothing on either program's socket paths blocks (no sync I/O or sync-over-async, only short non-blocking
# locks; Redis affinity calls are async or fire-and-forget). See docs/benchmarks.md "Per-request cost".
# The same reasoning lets Kestrel run each request on that socket thread (IngressOptions.InlineScheduling, on by
# default; BALLAST_INLINE_SCHEDULING=0 turns it off): no per-request hand-off to a spinning thread-pool worker.
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_TC_CallCountingDelayMs=0 \
    DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
# Listener ports come from the LoadBalancerPolicy (use >= 1024: no NET_BIND_SERVICE); admin 9901; operator 8443.
EXPOSE 8080 8443 9901
ENTRYPOINT ["/app/ballast"]
CMD ["run", "--config", "/etc/ballast", "--admin-port", "9901"]
