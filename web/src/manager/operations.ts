import { graphql } from '../gql';

graphql(`
  fragment ManagedDish on Dish {
    id
    name
    description
    price
    quantity
    isAvailable
    updatedAt
  }
`);

graphql(`
  fragment StaffMember on User {
    id
    username
    email
    role
  }
`);

export const AllDishesDocument = graphql(`
  query AllDishes {
    dishes(includeUnavailable: true) {
      ...ManagedDish
    }
  }
`);

export const CreateDishDocument = graphql(`
  mutation CreateDish($input: CreateDishInput!) {
    createDish(input: $input) {
      ...ManagedDish
    }
  }
`);

export const UpdateDishDocument = graphql(`
  mutation UpdateDish($id: ID!, $input: UpdateDishInput!) {
    updateDish(id: $id, input: $input) {
      ...ManagedDish
    }
  }
`);

export const DeleteDishDocument = graphql(`
  mutation DeleteDish($id: ID!) {
    deleteDish(id: $id)
  }
`);

export const UsersDocument = graphql(`
  query Users {
    users(first: 100) {
      totalCount
      edges {
        cursor
        node {
          ...StaffMember
        }
      }
    }
  }
`);

export const SetUserRoleDocument = graphql(`
  mutation SetUserRole($userId: ID!, $role: Role!) {
    setUserRole(userId: $userId, role: $role) {
      ...StaffMember
    }
  }
`);

export const PromoteToManagerDocument = graphql(`
  mutation PromoteToManager($userId: ID!) {
    promoteToManager(userId: $userId) {
      ...StaffMember
    }
  }
`);
