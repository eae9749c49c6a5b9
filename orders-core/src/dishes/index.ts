/** Dishes: the menu and the manager's catalogue, with the checks of their input. */
export { DishService } from './dish-service.js';
export {
  MAX_DESCRIPTION_CHARS,
  MAX_NAME_CHARS,
  validateCreateDishInput,
  validateUpdateDishInput,
  type CreateDishArguments,
  type DishValues,
  type UpdateDishArguments,
} from './dish-input.js';
