import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PLATFORM_V1_DESCRIPTOR_SET_BASE64 } from '@podid/contracts';

/**
 * What server reflection describes on the platform port: podid.platform.v1
 * (its descriptor set, generated with the contracts) and grpc.health.v1.
 * proto-loader names a map's entry message after the field (`Statuses`)
 * where protoc says `StatusesEntry`, which strict clients (grpcurl) reject,
 * so the health file's map entries get their protoc names back.
 */
export function reflectionDescriptors(): PackageDefinition {
  const health = loadSync(healthProtoPath);
  const files = new Map<string, FileDescriptorProto>();
  for (const def of Object.values(health)) {
    for (const bytes of (def as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const f = fromBinary(FileDescriptorProtoSchema, bytes);
      files.set(f.name, f);
    }
  }
  for (const f of files.values()) for (const m of f.messageType) fixMapEntries(m);
  const fixed = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [...files.values()] }));
  return { ...loadFileDescriptorSetFromBuffer(Buffer.from(PLATFORM_V1_DESCRIPTOR_SET_BASE64, 'base64')), ...loadFileDescriptorSetFromBuffer(Buffer.from(fixed)) };
}

function fixMapEntries(m: FileDescriptorProto['messageType'][number]): void {
  for (const nested of m.nestedType) {
    fixMapEntries(nested);
    if (!nested.options?.mapEntry) continue;
    const field = m.field.find((x) => x.typeName === nested.name || x.typeName.endsWith(`.${nested.name}`));
    if (!field) continue;
    const entry = `${field.name.replace(/(^|_)([a-z])/g, (_s, _p, c: string) => c.toUpperCase())}Entry`;
    field.typeName = field.typeName.slice(0, field.typeName.length - nested.name.length) + entry;
    nested.name = entry;
  }
}
