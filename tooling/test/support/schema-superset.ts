import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { isDeepStrictEqual } from 'node:util';

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object type';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input type';
  return 'scalar';
}

function compareInputs(
  where: string,
  expected: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  actual: ReadonlyArray<GraphQLArgument | GraphQLInputField>,
  noun: 'argument' | 'input field',
): string[] {
  const gaps: string[] = [];
  for (const input of expected) {
    const found = actual.find((candidate) => candidate.name === input.name);
    if (!found) {
      gaps.push(`${where}: ${noun} ${input.name} is missing`);
      continue;
    }
    if (String(found.type) !== String(input.type)) {
      gaps.push(`${where}: ${noun} ${input.name} is ${String(found.type)}, the contract says ${String(input.type)}`);
    }
    if (!isDeepStrictEqual(found.defaultValue, input.defaultValue)) {
      gaps.push(`${where}: ${noun} ${input.name} defaults to ${JSON.stringify(found.defaultValue)}, the contract says ${JSON.stringify(input.defaultValue)}`);
    }
  }
  for (const extra of actual) {
    const known = expected.some((input) => input.name === extra.name);
    if (!known && isNonNullType(extra.type) && extra.defaultValue === undefined) {
      gaps.push(`${where}: new required ${noun} ${extra.name} would break existing clients`);
    }
  }
  return gaps;
}

/**
 * Everything in `contract` that `api` lacks or changes: missing types, fields, arguments,
 * input fields and enum values, different types or defaults, and new required inputs.
 * Additions are fine; an empty list means the API is a superset of the contract.
 */
export function contractGaps(contract: GraphQLSchema, api: GraphQLSchema): string[] {
  const gaps: string[] = [];
  for (const [rootName, contractRoot, apiRoot] of [
    ['query', contract.getQueryType(), api.getQueryType()],
    ['mutation', contract.getMutationType(), api.getMutationType()],
  ] as const) {
    if (contractRoot && contractRoot.name !== apiRoot?.name) gaps.push(`the ${rootName} root type is not ${contractRoot.name}`);
  }
  for (const expected of Object.values(contract.getTypeMap())) {
    // Built-in scalars and introspection types are there when used; the fields using them are checked.
    if (expected.name.startsWith('__') || isSpecifiedScalarType(expected)) continue;
    const actual = api.getType(expected.name);
    if (!actual) {
      gaps.push(`type ${expected.name} is missing`);
      continue;
    }
    if (kindOf(actual) !== kindOf(expected)) {
      gaps.push(`${expected.name} is a ${kindOf(actual)}, the contract says ${kindOf(expected)}`);
      continue;
    }
    if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
      const actualFields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const found = actualFields[field.name];
        const where = `${expected.name}.${field.name}`;
        if (!found) {
          gaps.push(`${where} is missing`);
          continue;
        }
        if (String(found.type) !== String(field.type)) gaps.push(`${where} is ${String(found.type)}, the contract says ${String(field.type)}`);
        gaps.push(...compareInputs(where, field.args, found.args, 'argument'));
      }
      for (const contractInterface of expected.getInterfaces()) {
        if (!actual.getInterfaces().some((candidate) => candidate.name === contractInterface.name)) {
          gaps.push(`${expected.name} no longer implements ${contractInterface.name}`);
        }
      }
    }
    if (isInputObjectType(expected) && isInputObjectType(actual)) {
      gaps.push(...compareInputs(expected.name, Object.values(expected.getFields()), Object.values(actual.getFields()), 'input field'));
    }
    if (isEnumType(expected) && isEnumType(actual)) {
      for (const value of expected.getValues()) {
        if (!actual.getValue(value.name)) gaps.push(`${expected.name}.${value.name} is missing`);
      }
    }
    if (isUnionType(expected) && isUnionType(actual)) {
      for (const member of expected.getTypes()) {
        if (!actual.getTypes().some((candidate) => candidate.name === member.name)) gaps.push(`${expected.name} lost member ${member.name}`);
      }
    }
  }
  return gaps;
}
