#!/usr/bin/env bash
# Runs the whole system on loopback: builds it, creates the embedded SQLite store, seeds demo data with
# freshly generated credentials, starts the token service, the two sample services and the gateway, waits
# until each is ready, prints the URLs and a walkthrough, and stops everything on Ctrl-C.
# Local development only: HTTP on 127.0.0.1, generated secrets in .local/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")"

state="$PWD/.local"
mkdir -p "$state"
base_port="${BASE_PORT:-5100}"
gateway_url="http://127.0.0.1:$base_port"
token_url="http://127.0.0.1:$((base_port + 1))"
orders_url="http://127.0.0.1:$((base_port + 2))"
inventory_url="http://127.0.0.1:$((base_port + 3))"

# Secrets are generated once per checkout and kept with the SQLite store they belong to.
if [ ! -f "$state/secrets.env" ]; then
  umask 077
  {
    echo "KEY_ENCRYPTION_KEY=$(openssl rand -base64 32)"
    echo "ADMIN_PASSWORD=$(openssl rand -hex 8)"
    echo "USER_PASSWORD=$(openssl rand -hex 8)"
    echo "ORDERS_SERVICE_SECRET=$(openssl rand -hex 24)"
    echo "REPORTING_SERVICE_SECRET=$(openssl rand -hex 24)"
  } > "$state/secrets.env"
fi
# shellcheck source=/dev/null
. "$state/secrets.env"

echo "Building..."
dotnet build Gateway.sln -nologo -v quiet -clp:ErrorsOnly

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

# Settings every service shares: single-line logs (each line prefixed with the service's name below).
export ASPNETCORE_ENVIRONMENT=Development
export Logging__Console__FormatterName=simple
export Logging__Console__FormatterOptions__SingleLine=true
export TokenVerification__Authority="$token_url"
export TokenVerification__Issuer="$gateway_url"
export TokenVerification__AllowInsecureHttpMetadata=true

start() { # name project url [VAR=value...]
  local name=$1 project=$2 url=$3
  shift 3
  env "$@" ASPNETCORE_URLS="$url" ASPNETCORE_CONTENTROOT="$PWD/$project" \
    "$project/bin/Debug/net10.0/$(basename "$project")" > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=("$!")
}

wait_ready() { # name url
  for _ in $(seq 1 120); do
    if curl -fs -o /dev/null "$2/health/ready"; then echo "  $1 is ready at $2"; return 0; fi
    sleep 0.5
  done
  echo "  $1 did not become ready at $2; see its log lines above." >&2
  exit 1
}

start token-service src/TokenService "$token_url" \
  Database__Provider=Sqlite Database__ConnectionString="Data Source=$state/tokens.db" Database__MigrateOnStart=true \
  Tokens__Issuer="$gateway_url" SigningKeys__KeyEncryptionKey="$KEY_ENCRYPTION_KEY" \
  DemoSeed__Enabled=true DemoSeed__AdminPassword="$ADMIN_PASSWORD" DemoSeed__UserPassword="$USER_PASSWORD" \
  DemoSeed__OrdersServiceSecret="$ORDERS_SERVICE_SECRET" DemoSeed__ReportingServiceSecret="$REPORTING_SERVICE_SECRET"
echo "Waiting for the services..."
wait_ready token-service "$token_url"
start inventory src/SampleServices/Inventory "$inventory_url"
start orders src/SampleServices/Orders "$orders_url" \
  Inventory__BaseAddress="$inventory_url" ServiceIdentity__TokenEndpoint="$token_url/connect/token" \
  ServiceIdentity__ClientSecret="$ORDERS_SERVICE_SECRET" ServiceIdentity__AllowInsecureHttp=true
start gateway src/Gateway "$gateway_url" \
  ReverseProxy__Clusters__token-service__Destinations__primary__Address="$token_url" \
  ReverseProxy__Clusters__orders__Destinations__primary__Address="$orders_url" \
  ReverseProxy__Clusters__inventory__Destinations__primary__Address="$inventory_url"

wait_ready inventory "$inventory_url"
wait_ready orders "$orders_url"
wait_ready gateway "$gateway_url"

cat <<TEXT

The platform runs. One base URL for apps: $gateway_url
  token service  $token_url   (discovery: $token_url/.well-known/openid-configuration)
  orders         $orders_url
  inventory      $inventory_url
Demo credentials (local only, kept in .local/secrets.env):
  users:   admin / $ADMIN_PASSWORD     alice / $USER_PASSWORD
  clients: mobile-app (public)   orders-service / $ORDERS_SERVICE_SECRET   reporting-service / $REPORTING_SERVICE_SECRET

Walkthrough (in another terminal):
  # 1. Sign in as alice through the gateway, like the mobile app:
  TOKEN=\$(curl -s $gateway_url/connect/token -d grant_type=password -d client_id=mobile-app \\
           -d username=alice -d password=$USER_PASSWORD | jq -r .access_token)
  # 2. Call APIs through the gateway:
  curl -s $gateway_url/api/inventory/items -H "Authorization: Bearer \$TOKEN"
  curl -s $gateway_url/api/orders -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"sku":"SKU-1001","quantity":2}'     # orders reserves stock with its own service token
  curl -s $gateway_url/api/orders -H "Authorization: Bearer \$TOKEN"
  # 3. Keep the session going: sign in again keeping the refresh token, then rotate it:
  REFRESH=\$(curl -s $gateway_url/connect/token -d grant_type=password -d client_id=mobile-app \\
           -d username=alice -d password=$USER_PASSWORD | jq -r .refresh_token)
  curl -s $gateway_url/connect/token -d grant_type=refresh_token -d client_id=mobile-app -d refresh_token=\$REFRESH
  # 4. 401 without a token, 403 without the permission (alice may not change stock):
  curl -i $gateway_url/api/orders
  curl -i -X PUT $gateway_url/api/inventory/items/SKU-1001/stock -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"available":5}'

Press Ctrl-C to stop everything.
TEXT
wait
