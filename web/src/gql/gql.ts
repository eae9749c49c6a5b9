/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SessionGrant on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    user {\n      id\n      username\n      email\n      role\n    }\n  }\n": typeof types.SessionGrantFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionGrant\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionGrant\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...SessionGrant\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  fragment MenuDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n  }\n": typeof types.MenuDishFragmentDoc,
    "\n  fragment CustomerOrder on Order {\n    id\n    status\n    total\n    specialRequests\n    createdAt\n    updatedAt\n    items {\n      quantity\n      price\n      subtotal\n      dish {\n        id\n        name\n      }\n    }\n    statusHistory {\n      status\n      at\n    }\n  }\n": typeof types.CustomerOrderFragmentDoc,
    "\n  query Menu {\n    menu {\n      ...MenuDish\n    }\n  }\n": typeof types.MenuDocument,
    "\n  subscription MenuUpdates {\n    menuUpdates {\n      ...MenuDish\n    }\n  }\n": typeof types.MenuUpdatesDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      ...CustomerOrder\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  query MyOrders {\n    myOrders(first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CustomerOrder\n        }\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  subscription MyOrderUpdates {\n    myOrderUpdates {\n      ...CustomerOrder\n    }\n  }\n": typeof types.MyOrderUpdatesDocument,
    "\n  mutation CancelMyOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...CustomerOrder\n    }\n  }\n": typeof types.CancelMyOrderDocument,
    "\n  fragment KitchenOrder on Order {\n    id\n    status\n    specialRequests\n    createdAt\n    updatedAt\n    customer {\n      id\n      username\n    }\n    items {\n      quantity\n      dish {\n        id\n        name\n      }\n    }\n  }\n": typeof types.KitchenOrderFragmentDoc,
    "\n  query KitchenColumn($status: OrderStatus!) {\n    orders(status: $status, first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...KitchenOrder\n        }\n      }\n    }\n  }\n": typeof types.KitchenColumnDocument,
    "\n  subscription KitchenUpdates {\n    kitchenUpdates {\n      ...KitchenOrder\n    }\n  }\n": typeof types.KitchenUpdatesDocument,
    "\n  mutation AdvanceOrder($id: ID!) {\n    advanceOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n": typeof types.AdvanceOrderDocument,
    "\n  mutation CancelKitchenOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n": typeof types.CancelKitchenOrderDocument,
    "\n  fragment ManagedDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n    updatedAt\n  }\n": typeof types.ManagedDishFragmentDoc,
    "\n  fragment StaffMember on User {\n    id\n    username\n    email\n    role\n  }\n": typeof types.StaffMemberFragmentDoc,
    "\n  query AllDishes {\n    dishes(includeUnavailable: true) {\n      ...ManagedDish\n    }\n  }\n": typeof types.AllDishesDocument,
    "\n  mutation CreateDish($input: CreateDishInput!) {\n    createDish(input: $input) {\n      ...ManagedDish\n    }\n  }\n": typeof types.CreateDishDocument,
    "\n  mutation UpdateDish($id: ID!, $input: UpdateDishInput!) {\n    updateDish(id: $id, input: $input) {\n      ...ManagedDish\n    }\n  }\n": typeof types.UpdateDishDocument,
    "\n  mutation DeleteDish($id: ID!) {\n    deleteDish(id: $id)\n  }\n": typeof types.DeleteDishDocument,
    "\n  query Users {\n    users(first: 100) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...StaffMember\n        }\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...StaffMember\n    }\n  }\n": typeof types.SetUserRoleDocument,
    "\n  mutation PromoteToManager($userId: ID!) {\n    promoteToManager(userId: $userId) {\n      ...StaffMember\n    }\n  }\n": typeof types.PromoteToManagerDocument,
};
const documents: Documents = {
    "\n  fragment SessionGrant on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    user {\n      id\n      username\n      email\n      role\n    }\n  }\n": types.SessionGrantFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionGrant\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionGrant\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...SessionGrant\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  fragment MenuDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n  }\n": types.MenuDishFragmentDoc,
    "\n  fragment CustomerOrder on Order {\n    id\n    status\n    total\n    specialRequests\n    createdAt\n    updatedAt\n    items {\n      quantity\n      price\n      subtotal\n      dish {\n        id\n        name\n      }\n    }\n    statusHistory {\n      status\n      at\n    }\n  }\n": types.CustomerOrderFragmentDoc,
    "\n  query Menu {\n    menu {\n      ...MenuDish\n    }\n  }\n": types.MenuDocument,
    "\n  subscription MenuUpdates {\n    menuUpdates {\n      ...MenuDish\n    }\n  }\n": types.MenuUpdatesDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      ...CustomerOrder\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  query MyOrders {\n    myOrders(first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CustomerOrder\n        }\n      }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  subscription MyOrderUpdates {\n    myOrderUpdates {\n      ...CustomerOrder\n    }\n  }\n": types.MyOrderUpdatesDocument,
    "\n  mutation CancelMyOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...CustomerOrder\n    }\n  }\n": types.CancelMyOrderDocument,
    "\n  fragment KitchenOrder on Order {\n    id\n    status\n    specialRequests\n    createdAt\n    updatedAt\n    customer {\n      id\n      username\n    }\n    items {\n      quantity\n      dish {\n        id\n        name\n      }\n    }\n  }\n": types.KitchenOrderFragmentDoc,
    "\n  query KitchenColumn($status: OrderStatus!) {\n    orders(status: $status, first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...KitchenOrder\n        }\n      }\n    }\n  }\n": types.KitchenColumnDocument,
    "\n  subscription KitchenUpdates {\n    kitchenUpdates {\n      ...KitchenOrder\n    }\n  }\n": types.KitchenUpdatesDocument,
    "\n  mutation AdvanceOrder($id: ID!) {\n    advanceOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n": types.AdvanceOrderDocument,
    "\n  mutation CancelKitchenOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n": types.CancelKitchenOrderDocument,
    "\n  fragment ManagedDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n    updatedAt\n  }\n": types.ManagedDishFragmentDoc,
    "\n  fragment StaffMember on User {\n    id\n    username\n    email\n    role\n  }\n": types.StaffMemberFragmentDoc,
    "\n  query AllDishes {\n    dishes(includeUnavailable: true) {\n      ...ManagedDish\n    }\n  }\n": types.AllDishesDocument,
    "\n  mutation CreateDish($input: CreateDishInput!) {\n    createDish(input: $input) {\n      ...ManagedDish\n    }\n  }\n": types.CreateDishDocument,
    "\n  mutation UpdateDish($id: ID!, $input: UpdateDishInput!) {\n    updateDish(id: $id, input: $input) {\n      ...ManagedDish\n    }\n  }\n": types.UpdateDishDocument,
    "\n  mutation DeleteDish($id: ID!) {\n    deleteDish(id: $id)\n  }\n": types.DeleteDishDocument,
    "\n  query Users {\n    users(first: 100) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...StaffMember\n        }\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...StaffMember\n    }\n  }\n": types.SetUserRoleDocument,
    "\n  mutation PromoteToManager($userId: ID!) {\n    promoteToManager(userId: $userId) {\n      ...StaffMember\n    }\n  }\n": types.PromoteToManagerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionGrant on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    user {\n      id\n      username\n      email\n      role\n    }\n  }\n"): (typeof documents)["\n  fragment SessionGrant on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    refreshToken\n    user {\n      id\n      username\n      email\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionGrant\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...SessionGrant\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionGrant\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionGrant\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...SessionGrant\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...SessionGrant\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MenuDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n  }\n"): (typeof documents)["\n  fragment MenuDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerOrder on Order {\n    id\n    status\n    total\n    specialRequests\n    createdAt\n    updatedAt\n    items {\n      quantity\n      price\n      subtotal\n      dish {\n        id\n        name\n      }\n    }\n    statusHistory {\n      status\n      at\n    }\n  }\n"): (typeof documents)["\n  fragment CustomerOrder on Order {\n    id\n    status\n    total\n    specialRequests\n    createdAt\n    updatedAt\n    items {\n      quantity\n      price\n      subtotal\n      dish {\n        id\n        name\n      }\n    }\n    statusHistory {\n      status\n      at\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Menu {\n    menu {\n      ...MenuDish\n    }\n  }\n"): (typeof documents)["\n  query Menu {\n    menu {\n      ...MenuDish\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MenuUpdates {\n    menuUpdates {\n      ...MenuDish\n    }\n  }\n"): (typeof documents)["\n  subscription MenuUpdates {\n    menuUpdates {\n      ...MenuDish\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      ...CustomerOrder\n    }\n  }\n"): (typeof documents)["\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      ...CustomerOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders {\n    myOrders(first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CustomerOrder\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyOrders {\n    myOrders(first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CustomerOrder\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MyOrderUpdates {\n    myOrderUpdates {\n      ...CustomerOrder\n    }\n  }\n"): (typeof documents)["\n  subscription MyOrderUpdates {\n    myOrderUpdates {\n      ...CustomerOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelMyOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...CustomerOrder\n    }\n  }\n"): (typeof documents)["\n  mutation CancelMyOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...CustomerOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment KitchenOrder on Order {\n    id\n    status\n    specialRequests\n    createdAt\n    updatedAt\n    customer {\n      id\n      username\n    }\n    items {\n      quantity\n      dish {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment KitchenOrder on Order {\n    id\n    status\n    specialRequests\n    createdAt\n    updatedAt\n    customer {\n      id\n      username\n    }\n    items {\n      quantity\n      dish {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KitchenColumn($status: OrderStatus!) {\n    orders(status: $status, first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...KitchenOrder\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query KitchenColumn($status: OrderStatus!) {\n    orders(status: $status, first: 50) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...KitchenOrder\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription KitchenUpdates {\n    kitchenUpdates {\n      ...KitchenOrder\n    }\n  }\n"): (typeof documents)["\n  subscription KitchenUpdates {\n    kitchenUpdates {\n      ...KitchenOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdvanceOrder($id: ID!) {\n    advanceOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n"): (typeof documents)["\n  mutation AdvanceOrder($id: ID!) {\n    advanceOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelKitchenOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n"): (typeof documents)["\n  mutation CancelKitchenOrder($id: ID!) {\n    cancelOrder(id: $id) {\n      ...KitchenOrder\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ManagedDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment ManagedDish on Dish {\n    id\n    name\n    description\n    price\n    quantity\n    isAvailable\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StaffMember on User {\n    id\n    username\n    email\n    role\n  }\n"): (typeof documents)["\n  fragment StaffMember on User {\n    id\n    username\n    email\n    role\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AllDishes {\n    dishes(includeUnavailable: true) {\n      ...ManagedDish\n    }\n  }\n"): (typeof documents)["\n  query AllDishes {\n    dishes(includeUnavailable: true) {\n      ...ManagedDish\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDish($input: CreateDishInput!) {\n    createDish(input: $input) {\n      ...ManagedDish\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDish($input: CreateDishInput!) {\n    createDish(input: $input) {\n      ...ManagedDish\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDish($id: ID!, $input: UpdateDishInput!) {\n    updateDish(id: $id, input: $input) {\n      ...ManagedDish\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateDish($id: ID!, $input: UpdateDishInput!) {\n    updateDish(id: $id, input: $input) {\n      ...ManagedDish\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDish($id: ID!) {\n    deleteDish(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteDish($id: ID!) {\n    deleteDish(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users(first: 100) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...StaffMember\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users {\n    users(first: 100) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...StaffMember\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...StaffMember\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...StaffMember\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PromoteToManager($userId: ID!) {\n    promoteToManager(userId: $userId) {\n      ...StaffMember\n    }\n  }\n"): (typeof documents)["\n  mutation PromoteToManager($userId: ID!) {\n    promoteToManager(userId: $userId) {\n      ...StaffMember\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;