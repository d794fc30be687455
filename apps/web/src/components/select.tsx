import type { SelectHTMLAttributes } from 'react';
import { inputClass } from './page-header';

/** An option: its value, shown as is, or a value with a label. */
export type SelectOption = string | { value: string; label: string };

/** A `<select>` of string options; `onChange` receives the chosen value. */
export function Select({ value, options, onChange, className = inputClass, ...rest }: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { value: string; options: readonly SelectOption[]; onChange: (value: string) => void }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} className={className} {...rest}>
      {options.map((option) => {
        const { value: optionValue, label } = typeof option === 'string' ? { value: option, label: option } : option;
        return (
          <option key={optionValue} value={optionValue}>
            {label}
          </option>
        );
      })}
    </select>
  );
}
