// Reads a stream of Kubernetes manifests (YAML, as `kubectl kustomize` prints them) on stdin and writes one
// JSON document to stdout: { objects, problems, skipped }.
//   objects:  every manifest, parsed (YAML 1.2 core schema, so numbers and booleans keep their types);
//   problems: "<apiVersion> <kind> <name>: <message>" for every object that fails its Kubernetes OpenAPI
//             schema (types, required fields, enums, formats such as quantities) or has no known schema;
//   skipped:  custom resources deliberately not schema-checked, each with the reason.
// Offline: the schemas are compiled into the kubernetes-models package. Unknown fields are not reported by
// these schemas; the C# tests assert the fields that matter.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Custom resources without a published offline schema. The tests check the fields the platform relies on.
const customResourcesWithoutSchema = new Map([
  ["postgresql.cnpg.io/v1 Cluster", "CloudNativePG publishes no offline schema package; Deployment.Tests assert its fields"],
]);

const describe = (o) => `${o?.apiVersion} ${o?.kind} ${o?.metadata?.name}`;

async function problemsOf(object) {
  let module;
  try {
    module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  } catch {
    return [`no Kubernetes schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new module[object.kind](object).validate();
    return [];
  } catch (error) {
    return [error.message];
  }
}

const documents = parseAllDocuments(readFileSync(0, "utf8"));
const output = { objects: [], problems: [], skipped: [] };
for (const document of documents) {
  if (document.errors.length > 0) {
    output.problems.push(`YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const object = document.toJS();
  if (object === null) continue;
  output.objects.push(object);
  const reason = customResourcesWithoutSchema.get(`${object.apiVersion} ${object.kind}`);
  if (reason !== undefined) {
    output.skipped.push(`${describe(object)}: ${reason}`);
    continue;
  }
  for (const problem of await problemsOf(object)) output.problems.push(`${describe(object)}: ${problem}`);
}
process.stdout.write(JSON.stringify(output));
