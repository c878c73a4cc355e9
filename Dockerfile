# The Authz server image: one silo with its gRPC endpoint. docker-compose.yml runs three of them with PostgreSQL and
# Redis; alone it runs the embedded default (SQLite in /data).
#   docker build -t authz-server .
#   docker run --rm -p 50051:50051 -v authz-data:/data authz-server

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The server references the contract (protos/) and other src/ projects as the service grows: copy them all.
COPY Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY src/ src/
RUN dotnet publish src/Authz.Server/Authz.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /data && chown app:app /data
USER app
# Listen on every interface inside the container; the data directory is a volume.
ENV Authz__Server__GrpcHost=0.0.0.0 \
    Authz__Server__DataDirectory=/data \
    Authz__Cluster__ListenOnAnyHostAddress=true
VOLUME ["/data"]
# gRPC (h2c), Orleans silo-to-silo, Orleans gateway.
EXPOSE 50051 11111 30000
# SIGTERM (docker stop) shuts the silo down gracefully within Authz:Server:ShutdownTimeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "Authz.Server.dll"]
